/* Chronicle: what the reader's page does in the browser. Served with the site (no other host). */
(function () {
  "use strict";
  // The interface strings of each language, put in by the plugin from l10n.py.
  var STRINGS = /*chronicle-strings*/ {};

  function text(key) {
    var lang = (document.documentElement.lang || "").split("-")[0];
    var table = STRINGS[lang] || STRINGS.en || {};
    return table[key] || "";
  }

  /* The language switcher keeps the section the reader is at. Its links name the same page in
     the other language; a heading others link to has the same explicit id in both ({#id}), so
     the reader's #fragment is carried over. Updated on every change of the fragment, so that
     opening the link in a new tab or copying it keeps it too. */
  function keepSection() {
    var links = document.querySelectorAll(".md-header a[hreflang], .md-select a[hreflang]");
    for (var i = 0; i < links.length; i++) {
      var a = links[i];
      var href = a.getAttribute("href") || "";
      a.setAttribute("href", href.split("#")[0] + location.hash);
    }
  }

  /* A table wider than the screen scrolls sideways in Material's wrapper, and nothing says so:
     while it overflows, a hint above it, and its edges fade where there is more to see. */
  var HINT = "chronicle-scroll-hint";

  function markScroll(wrap) {
    var more = wrap.scrollWidth - wrap.clientWidth > 1;
    var left = more && wrap.scrollLeft > 1;
    var right = more && wrap.scrollLeft + wrap.clientWidth < wrap.scrollWidth - 1;
    wrap.classList.toggle("chronicle-scroll", more);
    wrap.classList.toggle("chronicle-scroll--left", left);
    wrap.classList.toggle("chronicle-scroll--right", right);
    var hint = wrap.previousElementSibling;
    if (!(hint && hint.classList.contains(HINT))) {
      if (!more) return;
      hint = document.createElement("div");
      hint.className = HINT;
      hint.setAttribute("aria-hidden", "true");
      hint.textContent = text("scroll_hint");
      wrap.parentNode.insertBefore(hint, wrap);
    }
    hint.hidden = !more;
  }

  function watchTables() {
    var wraps = document.querySelectorAll(".md-typeset__scrollwrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      if (wrap.dataset.chronicleScroll) continue;
      wrap.dataset.chronicleScroll = "1";
      wrap.addEventListener("scroll", markScroll.bind(null, wrap), { passive: true });
      if (window.ResizeObserver) new ResizeObserver(markScroll.bind(null, wrap)).observe(wrap);
      markScroll(wrap);
    }
  }

  /* Material's search is a role="dialog" without a name, so a screen reader announces only
     "dialog": give it the name of its own search box, already in the page's language. */
  function nameSearch() {
    var dialog = document.querySelector('.md-search[role="dialog"]');
    var box = document.querySelector(".md-search__input");
    if (dialog && box && !dialog.hasAttribute("aria-label")) {
      dialog.setAttribute("aria-label", box.getAttribute("aria-label") || box.placeholder || "");
    }
  }

  function setUp() {
    nameSearch();
    keepSection();
    watchTables();
  }

  window.addEventListener("hashchange", keepSection);
  window.addEventListener("resize", function () {
    var wraps = document.querySelectorAll(".md-typeset__scrollwrap");
    for (var i = 0; i < wraps.length; i++) markScroll(wraps[i]);
  });
  // With Material's instant navigation a new page replaces the old one without a load.
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setUp);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
