// labdrop pages: live updates without a full reload. Text only (textContent), never HTML from data.
"use strict";
(function () {
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(url + ": " + r.status); } return r.json(); });
  }
  function cell(text, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    td.textContent = text == null ? "" : String(text);
    return td;
  }
  function hostRow(h) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-host", h.name);
    var name = document.createElement("td");
    var a = document.createElement("a");
    a.href = "/hosts/" + encodeURIComponent(h.name);
    a.textContent = h.name;
    name.appendChild(a);
    tr.appendChild(name);
    tr.appendChild(cell(h.state, "state"));
    tr.appendChild(cell((h.owner || "") + (h.ownerOnly ? " (owner-only)" : "")));
    tr.appendChild(cell(h.queued, "queue"));
    tr.appendChild(cell(h.step, "step"));
    tr.appendChild(cell(h.lastReport.at || "never", "seen"));
    tr.appendChild(cell(h.polls.sinceServerStart, "polls"));
    tr.appendChild(cell(h.labels.join(","), "labels"));
    return tr;
  }
  function dashboard(table) {
    var body = table.tBodies[0];
    function refresh() {
      getJson(table.getAttribute("data-live")).then(function (data) {
        data.hosts.forEach(function (h) {
          var fresh = hostRow(h);
          var old = body.querySelector("tr[data-host=\"" + CSS.escape(h.name) + "\"]");
          if (old) { body.replaceChild(fresh, old); } else { body.appendChild(fresh); }
        });
        Object.keys(data.counts).forEach(function (state) {
          var n = document.querySelector(".count[data-state=\"" + CSS.escape(state) + "\"] .n");
          if (n) { n.textContent = String(data.counts[state]); }
        });
        table.setAttribute("data-updated", new Date().toISOString());
      }).catch(function () { /* the next tick tries again */ });
    }
    setInterval(refresh, 3000);
  }
  function requestPage(table) {
    var url = table.getAttribute("data-live");
    var id = table.getAttribute("data-id");
    var log = document.getElementById("live-log");
    var logName = document.getElementById("live-log-name");
    var following = null;
    var offset = 0;
    function followLog(names) {
      if (!log || names.length === 0) { return Promise.resolve(); }
      var name = names[names.length - 1];
      if (name !== following) { following = name; offset = 0; log.textContent = ""; logName.textContent = name; }
      return fetch("/requests/" + encodeURIComponent(id) + "/log/" + name + "?offset=" + offset, { credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) { return; }
          var next = r.headers.get("X-Labdrop-Next-Offset");
          return r.text().then(function (text) {
            log.textContent += text;
            offset = next ? Number(next) : offset + text.length;
          });
        });
    }
    function refresh() {
      getJson(url).then(function (r) {
        document.getElementById("r-state").textContent = r.state;
        document.getElementById("r-reason").textContent = r.reason || "";
        var timeline = document.getElementById("timeline");
        while (timeline.firstChild) { timeline.removeChild(timeline.firstChild); }
        r.timeline.forEach(function (e) {
          var li = document.createElement("li");
          li.textContent = e.at + " — " + e.state + (e.note ? ": " + e.note : "");
          timeline.appendChild(li);
        });
        table.setAttribute("data-updated", new Date().toISOString());
        return followLog(r.runningLogs).then(function () {
          if (r.finished) { clearInterval(timer); window.location.reload(); }
        });
      }).catch(function () { /* the next tick tries again */ });
    }
    var timer = setInterval(refresh, 2000);
    refresh();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var hosts = document.getElementById("hosts");
    if (hosts && hosts.getAttribute("data-live")) { dashboard(hosts); }
    var request = document.getElementById("request");
    if (request && request.getAttribute("data-live")) { requestPage(request); }
  });
})();
