package labdrop.web;

import labdrop.error.ForbiddenException;
import labdrop.host.Host;
import labdrop.request.Job;
import labdrop.request.Request;
import labdrop.result.KnownIssue;
import labdrop.user.Role;
import labdrop.user.User;

/**
 * Who may do what, for the pages and the API alike: admins run the lab; a host's owner manages
 * its queue; a tester cancels their own requests. Checked on the server for every write.
 */
final class Access {
    private Access() {
    }

    static boolean isAdmin(User user) {
        return user.role() == Role.ADMIN;
    }

    /** True when {@code user} owns {@code host}; a pool request waiting for a host (null) has no owner. */
    static boolean ownsHost(User user, Host host) {
        return host != null && user.name().equals(host.owner());
    }

    static boolean canCancel(User user, Request request, Host host) {
        return isAdmin(user) || user.name().equals(request.requester()) || ownsHost(user, host);
    }

    static boolean canReorder(User user, Host host) {
        return isAdmin(user) || ownsHost(user, host);
    }

    /** A known issue is removed by whoever marked it, or an admin. */
    static void requireRemoveKnown(User user, KnownIssue issue) {
        if (!isAdmin(user) && !user.name().equals(issue.createdBy())) {
            throw new ForbiddenException(user.name() + " may not remove known issue " + issue.id() + ": it was marked by "
                    + issue.createdBy() + "; only they or an admin may remove it");
        }
    }

    static void requireAdmin(User user, String what) {
        if (!isAdmin(user)) {
            throw new ForbiddenException("user '" + user.name() + "' is a tester; only admins " + what);
        }
    }

    static void requireCancel(User user, Request request, Host host) {
        if (!canCancel(user, request, host)) {
            throw new ForbiddenException("user '" + user.name() + "' may not cancel " + request.id() + ": only its requester '"
                    + request.requester() + "', " + (host == null ? "" : "the owner of host '" + host.name() + "', ") + "or an admin may");
        }
    }

    static boolean canCancel(User user, Job job) {
        return isAdmin(user) || user.name().equals(job.requester());
    }

    static void requireCancel(User user, Job job) {
        if (!canCancel(user, job)) {
            throw new ForbiddenException("user '" + user.name() + "' may not cancel " + job.id() + ": only its requester '"
                    + job.requester() + "' or an admin may");
        }
    }

    static void requireHealthCheck(User user, Host host) {
        if (!isAdmin(user) && !ownsHost(user, host)) {
            throw new ForbiddenException("user '" + user.name() + "' may not run the health check of host '" + host.name()
                    + "': only its owner" + (host.owner() == null ? "" : " '" + host.owner() + "'") + " or an admin may");
        }
    }

    static void requireReorder(User user, Host host) {
        if (!canReorder(user, host)) {
            throw new ForbiddenException("user '" + user.name() + "' may not reorder the queue of host '" + host.name()
                    + "': only its owner" + (host.owner() == null ? "" : " '" + host.owner() + "'") + " or an admin may");
        }
    }
}
