// SPARQL editor: YASGUI (served from the installed npm package) on this service's endpoint,
// with the named queries (embedded in the page, else GET /api/queries) as one-click examples. Nothing leaves this host:
// the autocompleters that call external services (LOV) are switched off.
(function () {
  "use strict";
  var list = document.getElementById("named-queries");
  var holder = document.getElementById("yasgui");
  var yasgui = null;
  var endpoint = holder ? new URL(holder.dataset.endpoint, window.location.href).href : null;

  if (holder && window.Yasgui) {
    var Yasqe = window.Yasgui.Yasqe;
    if (Yasqe && Yasqe.defaults && Yasqe.defaults.autocompleters) {
      Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter(function (name) {
        return name !== "class" && name !== "property";
      });
    }
    // An error body of this service ({"message", "hint"}: a SPARQL syntax error's line with its
    // caret, the PREFIX lines to add…) is shown as text with its line breaks, not as raw JSON.
    var Yasr = window.Yasgui.Yasr;
    if (Yasr && Yasr.defaults) {
      var readable = function (error) {
        var body = null;
        try { body = JSON.parse((error && error.text) || ""); } catch (e) { return undefined; }
        if (!body || typeof body.message !== "string") { return undefined; }
        var pre = document.createElement("pre");
        pre.className = "errorMessage ptce-error";
        pre.textContent = body.message + (body.hint ? "\nhint: " + body.hint : "");
        return pre;
      };
      Yasr.defaults.errorRenderers = [readable].concat(Yasr.defaults.errorRenderers || []);
    }
    yasgui = new window.Yasgui(holder, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: false,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistenceId: null,
      populateFromUrl: false,
      autofocus: false,
    });
    window.ptceYasgui = yasgui;
  }

  function queryText(item) {
    return item.query || item.sparql || item.text || item.body || null;
  }

  function run(name, text) {
    if (yasgui) {
      var tab = yasgui.getTab();
      tab.setQuery(text);
      tab.setName ? tab.setName(name) : null;
      tab.query();
    } else {
      var area = document.getElementById("query");
      if (area) { area.value = text; area.focus(); }
    }
  }

  function load(item) {
    var name = item.name || item.id;
    var text = queryText(item);
    if (text) { return Promise.resolve(text); }
    var url = list.dataset.api + "/" + encodeURIComponent(name);
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (detail) { return queryText(detail) || ""; });
  }

  if (!list) { return; }
  var island = document.getElementById("named-queries-data");
  var embedded = island ? JSON.parse(island.textContent || "[]") : [];
  var source = embedded.length ? Promise.resolve(embedded) :
    fetch(list.dataset.api, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("no named queries"); }
        return response.json();
      });
  source
    .then(function (data) {
      var items = Array.isArray(data) ? data : (data.queries || data.items || []);
      items.forEach(function (item) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "named-query";
        button.dataset.name = item.name || item.id;
        var title = item.title;
        if (title && typeof title === "object") {
          title = title[document.documentElement.lang] || title.fr || title.en;
        }
        button.textContent = title || item.summary || item.name || item.id;
        if (item.description) { button.title = item.description; }
        button.addEventListener("click", function () {
          load(item).then(function (text) { run(button.dataset.name, text); });
        });
        li.appendChild(button);
        list.appendChild(li);
      });
    })
    .catch(function () {
      var section = list.closest("section");
      if (section) { section.hidden = true; }
    });
})();
