/* Quick exit and one-entry history. The portal works without this file. */
(function () {
  "use strict";
  var doc = document.documentElement;
  var exitLink = document.querySelector("[data-quick-exit]");
  var exitUrl = exitLink ? exitLink.href : "/exit/";

  function leave() {
    doc.classList.add("leaving");
    document.title = "";
    window.location.replace(exitUrl);
  }

  if (exitLink) {
    exitLink.addEventListener("click", function (event) {
      event.preventDefault();
      leave();
    });
  }

  // Shift pressed three times within a few seconds (GOV.UK's convention).
  var presses = [];
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") {
      presses = [];
      return;
    }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 5000; });
    presses.push(now);
    if (presses.length >= 3) {
      presses = [];
      leave();
    }
  });

  // The error summary takes focus so screen readers announce it.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  // On the public pages, moving between portal pages replaces the history
  // entry: a visit is one entry. Staff pages keep the browser's usual history.
  if (!document.body.hasAttribute("data-one-entry")) return;
  function samePage(url) {
    return url.pathname === location.pathname && url.search === location.search && url.hash;
  }
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.target || link.hasAttribute("download")) return;
    var url = new URL(link.href, location.href);
    if (url.origin !== location.origin || samePage(url)) return;
    event.preventDefault();
    location.replace(url.href);
  });
  // A POST form (report an error) is sent with fetch, so that its answer too
  // replaces the current entry instead of adding one.
  function postReplacing(form) {
    fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected && response.ok) {
          location.replace(response.url);
          return null;
        }
        return response.text().then(function (html) {
          document.open();
          document.write(html);
          document.close();
        });
      })
      .catch(function () { HTMLFormElement.prototype.submit.call(form); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented) return;
    if ((form.getAttribute("method") || "get").toLowerCase() === "post") {
      if (!form.hasAttribute("data-replace-history")) return;
      event.preventDefault();
      postReplacing(form);
      return;
    }
    var url = new URL(form.action || location.href, location.href);
    if (url.origin !== location.origin) return;
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") params.append(name, value);
    });
    if (event.submitter && event.submitter.name) params.append(event.submitter.name, event.submitter.value);
    event.preventDefault();
    url.search = params.toString();
    location.replace(url.href);
  });

})();
