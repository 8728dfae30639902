package labdrop.request;

import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.RequestDoc;
import labdrop.drop.xml.XmlFormat;

/** The request file the server places: a pure function of the stored request, so a repeat gives the same bytes. */
public final class RequestXml {
    private RequestXml() {
    }

    public static byte[] render(Request request) {
        return render(request, false);
    }

    /** As above; {@code fenced}: with the request's placement epoch (a cluster node's placement, docs/cluster.md). */
    public static byte[] render(Request request, boolean fenced) {
        RequestDoc doc = new RequestDoc();
        doc.id = request.id();
        doc.host = request.host();
        doc.epoch = fenced && request.placementEpoch() > 0 ? request.placementEpoch() : null;
        doc.requester = request.requester();
        doc.filed = request.filedAt();
        doc.priority = request.priority().label();
        doc.options.selfReboot = request.selfReboot();
        doc.options.timeoutSeconds = request.timeoutSeconds();
        doc.options.kernelInstall = request.kernelInstall();
        doc.options.buildSet = request.buildSet();
        doc.packages.repository = request.repositoryUrl();
        for (PackagePin pin : request.packages()) {
            RequestDoc.Package pkg = new RequestDoc.Package();
            pkg.type = pin.type();
            pkg.name = pin.name();
            pkg.sha256 = pin.sha256();
            pkg.size = pin.size();
            pkg.file = pin.file();
            doc.packages.list.add(pkg);
        }
        for (TestSpec spec : request.tests()) {
            RequestDoc.Test test = new RequestDoc.Test();
            test.packageName = spec.packageName();
            test.control = spec.control();
            test.timeoutSeconds = spec.timeoutSeconds();
            test.args.addAll(spec.args());
            doc.tests.add(test);
        }
        return DropXml.write(XmlFormat.REQUEST, doc);
    }
}
