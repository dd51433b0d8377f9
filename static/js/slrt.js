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
  // The phone menu: one button opens the navigation and the account links (issue 18). CSS folds
  // the panel only below 720 px and only once this has run, so without the script nothing hides.
  function setUpMenu() {
    var toggle = document.querySelector(".menu-toggle");
    var panel = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!panel) return;
    function show(open) {
      panel.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.hidden = false;
    toggle.closest(".topbar").classList.add("has-menu");
    // The folded menu still says that something waits (new referrals, notifications).
    var waiting = 0;
    Array.prototype.forEach.call(panel.querySelectorAll(".count-badge"), function (badge) {
      waiting += parseInt(badge.textContent, 10) || 0;
    });
    if (waiting) {
      var badge = document.createElement("span");
      badge.className = "count-badge";
      badge.textContent = String(waiting);
      toggle.appendChild(badge);
    }
    toggle.addEventListener("click", function () { show(!panel.classList.contains("open")); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && panel.classList.contains("open")) { show(false); toggle.focus(); }
    });
  }

  // --- NIK-aware entry (issue 18) -------------------------------------------------------
  // A mirror of households.nik.parse_nik, with its data (province codes, the age limit) from
  // the page (#nik-rules); tests/browser/test_phone_entry.py runs both on the same cases.
  function readJson(id) {
    var el = document.getElementById(id);
    try { return el ? JSON.parse(el.textContent) : null; } catch (e) { return null; }
  }

  function parseNik(raw, rules, today) {
    var value = String(raw || "").trim().replace(/[\s.\-]/g, "");
    if (!/^[0-9]{16}$/.test(value)) return null;
    if (rules.provinces.indexOf(parseInt(value.slice(0, 2), 10)) < 0) return null;
    if (value.slice(12) === "0000") return null;
    var day = parseInt(value.slice(6, 8), 10), month = parseInt(value.slice(8, 10), 10);
    var yy = parseInt(value.slice(10, 12), 10);
    var female = day > 40, realDay = female ? day - 40 : day;
    today = today || new Date();
    var todayKey = today.getFullYear() * 10000 + (today.getMonth() + 1) * 100 + today.getDate();
    var centuries = [2000, 1900];
    for (var i = 0; i < centuries.length; i++) {
      var year = centuries[i] + yy;
      var candidate = new Date(year, month - 1, realDay);
      if (candidate.getFullYear() !== year || candidate.getMonth() !== month - 1 ||
          candidate.getDate() !== realDay) continue;  // not a calendar date in this century
      if (year * 10000 + month * 100 + realDay <= todayKey &&
          today.getFullYear() - year <= rules.max_age) {
        return { region: value.slice(0, 6), sex: female ? "female" : "male",
                 day: realDay, month: month, year: year, serial: value.slice(12) };
      }
    }
    return null;
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function dmy(parts) { return two(parts.day) + "-" + two(parts.month) + "-" + parts.year; }
  // In a sentence a date does not break at its dashes (non-breaking hyphens).
  function said(parts) { return dmy(parts).replace(/-/g, "\u2011"); }

  // The birth date field as typed: DD-MM-YYYY, or the ISO form of older drafts.
  function readDate(text) {
    var m = /^(\d{1,2})[-\/. ](\d{1,2})[-\/. ](\d{4})$/.exec(text.trim()) || /^(\d{2})(\d{2})(\d{4})$/.exec(text.trim());
    if (m) return { day: +m[1], month: +m[2], year: +m[3] };
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
    return m ? { day: +m[3], month: +m[2], year: +m[1] } : null;
  }

  function hint(field, cls, text) {
    var box = field.closest(".field");
    var el = box.querySelector("." + cls);
    if (!text) { if (el) el.remove(); box.classList.toggle("disagrees", !!box.querySelector(".nik-warning")); return; }
    if (!el) {
      el = document.createElement("p");
      el.className = cls;
      el.setAttribute("aria-live", "polite");
      box.appendChild(el);
    }
    el.textContent = text;
    box.classList.toggle("disagrees", cls === "nik-warning");
  }

  // filling: the NIK was just typed, so empty fields take its values. reveal: a disagreement
  // the person just made shows the "Data sesuai KTP/KK" tick; one already on record (an edit)
  // is only described, as the server does not ask about it again.
  function checkMember(card, filling, reveal) {
    var holder = document.getElementById("member-forms");
    var rules = readJson("nik-rules");
    if (!holder || !rules) return;
    var text = holder.dataset;
    var nik = card.querySelector("input[name$='-nik']");
    var sex = card.querySelector("select[name$='-sex']");
    var birth = card.querySelector("input[name$='-birth_date']");
    if (!nik || !sex || !birth) return;
    var digits = nik.value.replace(/[\s.\-]/g, "");
    var parts = parseNik(nik.value, rules);
    if (!parts) {
      hint(nik, "nik-hint", digits.length === 16 ? text.nikInvalid : "");
      hint(sex, "nik-warning", ""); hint(birth, "nik-warning", "");
      return;
    }
    if (filling && !sex.value) sex.value = parts.sex;
    if (filling && !birth.value.trim()) birth.value = dmy(parts);
    var regions = readJson("nik-regions") || {};
    var option = sex.querySelector("option[value='" + parts.sex + "']");
    var place = regions[parts.region]
      ? text.regionKnown.replace("{name}", regions[parts.region])
      : text.regionOther.replace("{code}", parts.region.replace(/^(\d\d)(\d\d)(\d\d)$/, "$1.$2.$3"));
    hint(nik, "nik-hint", text.fromNik.replace("{sex}", option ? option.textContent.trim() : parts.sex)
      .replace("{date}", said(parts)) + ", " + place);
    var sexWrong = sex.value && sex.value !== parts.sex;
    hint(sex, "nik-warning", sexWrong ? (parts.sex === "female" ? text.nikFemale : text.nikMale) : "");
    var typed = readDate(birth.value);
    var dateWrong = typed && (typed.day !== parts.day || typed.month !== parts.month ||
      typed.year % 100 !== parts.year % 100);
    hint(birth, "nik-warning", dateWrong
      ? text.nikBirth.replace("{nik}", said(parts)).replace("{record}", said(typed)) : "");
    var check = card.querySelector("[data-nik-check]");
    if (check && reveal && (sexWrong || dateWrong)) check.hidden = false;
    // The server's list says the same as the notes now beside the fields: one telling is enough.
    var listed = check && check.querySelector(".warnings");
    var drawn = (sexWrong ? 1 : 0) + (dateWrong ? 1 : 0);
    if (listed && !reveal && drawn && listed.children.length === drawn) listed.hidden = true;
  }

  // Dashes typed for the person: 17081985 becomes 17-08-1985 as it is typed.
  function formatDate(input) {
    var value = input.value;
    if (!/^[0-9\-]*$/.test(value) || /^\d{4}-/.test(value)) return;  // not ours, or ISO
    if (input.selectionStart !== value.length) return;  // editing in the middle: leave it
    var digits = value.replace(/-/g, "").slice(0, 8);
    var out = digits.slice(0, 2);
    if (digits.length > 2) out += "-" + digits.slice(2, 4);
    if (digits.length > 4) out += "-" + digits.slice(4);
    if (out !== value) input.value = out;
  }

  document.addEventListener("input", function (event) {
    var el = event.target;
    // A server's error was about what was typed before: once the field changes it goes.
    var wrong = el.closest && el.closest(".field.has-error");
    if (wrong) {
      wrong.classList.remove("has-error");
      Array.prototype.forEach.call(wrong.querySelectorAll(".error"), function (p) { p.remove(); });
    }
    if (el.matches && el.matches("[data-date-dmy]")) formatDate(el);
    var card = el.closest && el.closest("[data-member-form]");
    if (card && el.matches("input[name$='-nik'], select[name$='-sex'], input[name$='-birth_date']")) {
      checkMember(card, el.matches("input[name$='-nik']"), true);
    }
  });
  document.addEventListener("change", function (event) {
    var card = event.target.closest && event.target.closest("[data-member-form]");
    if (card) checkMember(card, false, true);
  });
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-member-form]"), function (card) {
      if (!card.closest("template")) checkMember(card, false, false);
    });
  });
  window.SLRT = { parseNik: parseNik };

  document.addEventListener("DOMContentLoaded", setUpDrafts);
  document.addEventListener("DOMContentLoaded", setUpMenu);

  // Bulk review of findings (issue 20): select all on the page, a count of the selected, and
  // a confirmation that says how many flags a button decides. Delegated: htmx swaps the table.
  function bulkBoxes(form) { return form.querySelectorAll("input[type=checkbox][name=flags]"); }
  function selectedCount(form) {
    return Array.prototype.filter.call(bulkBoxes(form), function (box) { return box.checked; }).length;
  }
  function showCount(form) {
    var count = selectedCount(form);
    Array.prototype.forEach.call(form.querySelectorAll("[data-selected-count]"), function (el) {
      el.textContent = count;
    });
    var all = form.querySelector("[data-select-all]");
    if (all) {
      var boxes = bulkBoxes(form).length;
      all.checked = boxes > 0 && count === boxes;
      all.indeterminate = count > 0 && count < boxes;
    }
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-bulk-review]");
    if (!form) return;
    if (event.target.matches("[data-select-all]")) {
      Array.prototype.forEach.call(bulkBoxes(form), function (box) { box.checked = event.target.checked; });
    }
    showCount(form);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-bulk-review] [data-confirm]");
    if (!button) return;
    var count = selectedCount(button.form);
    var question = button.getAttribute("data-confirm").replace("{count}", count);
    if (count === 0) {
      event.preventDefault();
      window.alert(button.form.getAttribute("data-none-selected"));
    } else if (!window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
