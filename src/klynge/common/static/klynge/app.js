// Klynge's small scripts, kept out of the HTML so the pages need no inline script
// (the Content-Security-Policy refuses it). Every page works without them.
(function () {
  "use strict";

  // ---- Sorting tables -------------------------------------------------------
  // Every table.table with one header row and one body of two or more rows gets a
  // sort button in each column header (opt out with data-nosort). The order is
  // told by aria-sort on the header. Values are read as Danish dates, Danish
  // numbers (1.234.567,89 kr.) or text in Danish order (æ, ø, å after z); a cell's
  // data-sort attribute, when present, is used instead of its text. The footer
  // (totals) stays last.

  var MONTHS = {
    januar: 1, january: 1, jan: 1, februar: 2, february: 2, feb: 2, marts: 3, march: 3,
    mar: 3, april: 4, apr: 4, maj: 5, may: 5, juni: 6, june: 6, jun: 6, juli: 7, july: 7,
    jul: 7, august: 8, aug: 8, september: 9, sep: 9, sept: 9, oktober: 10, october: 10,
    okt: 10, oct: 10, november: 11, nov: 11, december: 12, dec: 12
  };
  var collator = new Intl.Collator("da", { numeric: true, sensitivity: "base" });
  var EMPTY = /^(?:|–|—|-)$/;

  function clean(text) {
    return text.replace(/[\s\u00a0\u202f]+/g, " ").trim();
  }

  function stamp(year, month, day, hour, minute) {
    if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) {
      return null;
    }
    return (((year * 100 + month) * 100 + day) * 100 + (hour || 0)) * 100 + (minute || 0);
  }

  // "31-03-2024", "31.03.2024", "2024-03-31", "1. januar 2024 kl. 10.15",
  // "1 January 2024, 10:15", "January 1, 2024" -> a number that sorts by time.
  function parseDate(text) {
    var m = /^(\d{1,2})[-./](\d{1,2})[-./](\d{4})(?:,?\s+(?:kl\.?\s*)?(\d{1,2})[:.](\d{2}))?$/.exec(text);
    if (m) {
      return stamp(+m[3], +m[2], +m[1], +m[4], +m[5]);
    }
    m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::\d{2})?)?$/.exec(text);
    if (m) {
      return stamp(+m[1], +m[2], +m[3], +m[4], +m[5]);
    }
    m = /^(\d{1,2})\.?\s+([a-zæøå]+)\.?,?\s+(\d{4})(?:,?\s+(?:kl\.?|at)?\s*(\d{1,2})[:.](\d{2}))?$/i.exec(text);
    if (m && MONTHS[m[2].toLowerCase()]) {
      return stamp(+m[3], MONTHS[m[2].toLowerCase()], +m[1], +m[4], +m[5]);
    }
    m = /^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$/i.exec(text);
    if (m && MONTHS[m[1].toLowerCase()]) {
      return stamp(+m[3], MONTHS[m[1].toLowerCase()], +m[2]);
    }
    return null;
  }

  // "1.234.567,89 kr.", "-3,5 %", "1127", "500.000,00 (lead)" -> a number.
  function parseNumber(text) {
    var m = /^([-+\u2212]?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?\s*(?:kr\.?|dkk|%)?(?:\s*\(.*\))?$/i.exec(text);
    if (!m) {
      return null;
    }
    var value = parseFloat(m[2].replace(/\./g, "") + "." + (m[3] || "0"));
    return m[1] && m[1] !== "+" ? -value : value;
  }

  function cellText(cell) {
    if (!cell) {
      return "";
    }
    var explicit = cell.getAttribute("data-sort");
    return clean(explicit !== null ? explicit : cell.textContent);
  }

  // The keys of one column: every value read the one way all of them allow.
  function columnKeys(rows, index) {
    var texts = rows.map(function (row) { return cellText(row.cells[index]); });
    var present = texts.filter(function (t) { return !EMPTY.test(t); });
    var kinds = [["date", parseDate], ["number", parseNumber]];
    for (var k = 0; k < kinds.length; k++) {
      var parse = kinds[k][1];
      if (present.length && present.every(function (t) { return parse(t) !== null; })) {
        return texts.map(function (t) { return EMPTY.test(t) ? null : parse(t); });
      }
    }
    return texts.map(function (t) { return EMPTY.test(t) ? null : t; });
  }

  function compareKeys(a, b) {
    if (typeof a === "number" && typeof b === "number") {
      return a - b;
    }
    return collator.compare(String(a), String(b));
  }

  function sortTable(table, header, index) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var descending = header.getAttribute("aria-sort") === "ascending";
    var keys = columnKeys(rows, index);
    var order = rows.map(function (row, i) { return i; });
    order.sort(function (i, j) {
      var a = keys[i];
      var b = keys[j];
      if (a === null || b === null) {  // empty cells last, either way
        return a === b ? i - j : (a === null ? 1 : -1);
      }
      var c = compareKeys(a, b);
      return (descending ? -c : c) || i - j;
    });
    order.forEach(function (i) { body.appendChild(rows[i]); });
    table.tHead.rows[0].querySelectorAll("th").forEach(function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  function sortable(table) {
    if (table.hasAttribute("data-nosort") || !table.tHead || table.tHead.rows.length !== 1 ||
        table.tBodies.length !== 1 || table.tBodies[0].rows.length < 2) {
      return false;
    }
    var header = table.tHead.rows[0];
    if (header.querySelector("[colspan], [rowspan], td") ||
        table.tBodies[0].querySelector("[colspan], [rowspan]")) {
      return false;
    }
    return Array.prototype.every.call(table.tBodies[0].rows, function (row) {
      return row.cells.length === header.cells.length;
    });
  }

  function makeSortable(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (!clean(th.textContent)) {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) {
        button.appendChild(th.firstChild);
      }
      th.appendChild(button);
      button.addEventListener("click", function () { sortTable(table, th, index); });
    });
    table.classList.add("js-sortable");
  }

  // ---- Folded sections ------------------------------------------------------
  // A link to something inside a closed <details> opens it first.
  function revealTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) {
      return;
    }
    var fold = target.closest("details");
    var opened = false;
    while (fold) {
      if (!fold.open) {
        fold.open = true;
        opened = true;
      }
      fold = fold.parentElement && fold.parentElement.closest("details");
    }
    if (opened) {
      target.scrollIntoView();
    }
  }

  window.klyngeSort = { parseDate: parseDate, parseNumber: parseNumber, collator: collator };

  document.addEventListener("DOMContentLoaded", function () {
    if (window.DKFDS) {
      window.DKFDS.init();
    }
    document.querySelectorAll("table.table").forEach(function (table) {
      if (sortable(table)) {
        makeSortable(table);
      }
    });
    revealTarget();
    window.addEventListener("hashchange", revealTarget);
  });
}());
