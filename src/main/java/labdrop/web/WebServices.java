package labdrop.web;

import labdrop.account.Accounts;
import labdrop.admin.HostAdmin;
import labdrop.cluster.Membership;
import labdrop.lab.Lab;
import labdrop.lab.LabMetrics;
import labdrop.notify.Notifications;
import labdrop.ops.LabStats;
import labdrop.queue.Doorbell;
import labdrop.queue.RequestDesk;
import labdrop.queue.StartEstimates;
import labdrop.report.KnownIssues;
import labdrop.report.Reports;
import labdrop.ssh.KeyRegistry;

/** The application services the web pages and the API call; the composition root (app) hands them over. */
public record WebServices(Lab lab, RequestDesk desk, StartEstimates estimates, Reports reports, KnownIssues known, HostAdmin hosts, Accounts accounts,
                          KeyRegistry keys, Doorbell doorbell, LabStats stats, LabMetrics metrics,
                          Notifications notifications, Membership membership) {
}
