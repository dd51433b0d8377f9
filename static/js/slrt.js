// SLRT progressive enhancement: member rows, GPS location, drafts kept on the device, print.
// Everything works without it; it only saves typing and signal drops.
(function () {
  "use strict";

  function addMemberRow() {
    var total = document.getElementById("id_members-TOTAL_FORMS");
    var template = document.getElementById("member-template");
    if (!total || !template) return;
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var card = holder.firstElementChild;
    var number = card.querySelector("[data-member-number]");
    if (number) number.textContent = String(index + 1);
    document.getElementById("member-forms").appendChild(card);
    total.value = String(index + 1);
    var first = card.querySelector("input[name$='-nik']");
    if (first) first.focus();
  }

  function readLocation(button) {
    var scope = button.closest(".gps");
    var status = scope.querySelector(".gps-status");
    var text = scope.querySelector(".gps-messages").dataset;
    if (!navigator.geolocation) { status.textContent = text.unsupported; return; }
    status.textContent = text.reading;
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = position.coords.latitude.toFixed(6);
      var lon = position.coords.longitude.toFixed(6);
      var form = button.closest("form");
      form.querySelector("[name=latitude]").value = lat;
      form.querySelector("[name=longitude]").value = lon;
      status.textContent = text.ok + ": " + lat + ", " + lon;
      if (button.hasAttribute("data-submit")) form.submit();
      else saveDraft(form);
    }, function () { status.textContent = text.fail; },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  // Drafts: what is typed on the household form is kept in this browser until the save
  // succeeds, so a dropped signal does not lose a family typed in an alley. The key names the
  // user (data-draft-key="u<id>:..."), so on a shared ward computer nobody is offered another's
  // draft, and every draft is removed at logout (issue 16): the log-out button and the
  // logged-out page carry data-clear-drafts.
  function draftKey(form) { return "slrt-draft:" + form.dataset.draftKey; }

  function clearDrafts() {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var name = localStorage.key(i);
        if (name && name.indexOf("slrt-draft:") === 0) localStorage.removeItem(name);
      }
      sessionStorage.removeItem("slrt-pending-draft");
    } catch (e) { /* storage off */ }
  }

  function saveDraft(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "hidden" && el.name !== "members-TOTAL_FORMS" && el.name !== "latitude" && el.name !== "longitude") return;
      values[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    try { localStorage.setItem(draftKey(form), JSON.stringify(values)); } catch (e) { /* storage full or off */ }
  }

  function restoreDraft(form, values) {
    var wanted = parseInt(values["members-TOTAL_FORMS"] || "0", 10);
    var total = document.getElementById("id_members-TOTAL_FORMS");
    while (total && parseInt(total.value, 10) < wanted) addMemberRow();
    Object.keys(values).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el || el.type === "hidden" && name !== "latitude" && name !== "longitude") return;
      if (el.type === "checkbox") el.checked = values[name]; else el.value = values[name];
    });
  }

  function setUpDrafts() {
    var logout = document.querySelector("form[data-clear-drafts]");
    if (logout) logout.addEventListener("submit", clearDrafts);
    if (document.querySelector("section[data-clear-drafts]")) clearDrafts();
    var form = document.querySelector("form[data-draft-key]");
    if (form) {
      var key = draftKey(form);
      var stored = null;
      try { stored = localStorage.getItem(key); } catch (e) { stored = null; }
      var banner = document.querySelector(".draft-banner");
      if (stored && form.dataset.bound === "0" && banner) {
        banner.hidden = false;
        banner.querySelector("[data-draft-restore]").addEventListener("click", function () {
          restoreDraft(form, JSON.parse(stored)); banner.hidden = true;
        });
        banner.querySelector("[data-draft-discard]").addEventListener("click", function () {
          localStorage.removeItem(key); banner.hidden = true;
        });
      }
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
      form.addEventListener("submit", function () {
        saveDraft(form);
        try { sessionStorage.setItem("slrt-pending-draft", key); } catch (e) { /* ignore */ }
      });
    }
    // A success message after a submit means the draft reached the server: forget it.
    var pending = null;
    try { pending = sessionStorage.getItem("slrt-pending-draft"); } catch (e) { pending = null; }
    if (pending && document.querySelector(".messages .msg-success")) {
      localStorage.removeItem(pending);
      sessionStorage.removeItem("slrt-pending-draft");
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-add-member], [data-gps]");
    if (!target) return;
    if (target.hasAttribute("data-add-member")) addMemberRow();
    if (target.hasAttribute("data-gps")) readLocation(target);
  });
  // Print buttons (data-print): a listener here, as the Content-Security-Policy refuses onclick.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("DOMContentLoaded", setUpDrafts);
})();
