// Small browser helpers the Blazor components call through JS interop.
window.platform = {
  // The palette in use is html[data-theme] ("light" or "dark"), set before the first paint by App.razor's head from the saved
  // choice or the system's preference; the app bar's toggle saves a choice.
  theme: {
    get: () => localStorage.getItem("platform.theme"),
    set: (value) => localStorage.setItem("platform.theme", value),
    apply: (value) => { document.documentElement.dataset.theme = value; },
    toggle: () => {
      const value = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
      platform.theme.set(value);
      platform.theme.apply(value);
    },
  },
  // The organization the switcher shows, for the next fresh load of a page that belongs to no organization.
  organization: {
    remember: (cookie, id) => {
      const secure = location.protocol === "https:" ? "; Secure" : "";
      document.cookie = `${cookie}=${encodeURIComponent(id)}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
    },
  },
  // Keeps a scrolled box at its bottom (the log viewer's follow mode).
  scrollToEnd: (element) => {
    if (element) {
      element.scrollTop = element.scrollHeight;
    }
  },
  // Tells the log viewer when the reader scrolls up, away from the newest line: it stops following until resumed.
  watchScroll: (element, viewer) => {
    if (!element) {
      return;
    }
    let last = element.scrollTop;
    element.addEventListener("scroll", () => {
      const atEnd = element.scrollHeight - element.scrollTop - element.clientHeight < 8;
      if (element.scrollTop < last && !atEnd) {
        viewer.invokeMethodAsync("ScrolledUp");
      }
      last = element.scrollTop;
    }, { passive: true });
  },
  // Answers whether the text reached the clipboard (browsers refuse on plain http outside localhost).
  copy: async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      return false;
    }
  },
};

// Tabs (UrlTabs' markup, MudTabs' classes), as the WAI-ARIA tabs pattern has them: Enter or Space opens the focused tab;
// arrows, Home and End move the focus along the tab list (one stop for Tab: only the open tab is in the tab order).
document.addEventListener("keydown", (event) => {
  const tab = event.target;
  if (!(tab instanceof HTMLElement) || !tab.matches(".mud-tab[role=tab]")) {
    return;
  }
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    tab.click();
    return;
  }
  const tabs = [...(tab.closest("[role=tablist]")?.querySelectorAll(".mud-tab[role=tab]") ?? [])];
  const index = tabs.indexOf(tab);
  const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (index >= 0 && next !== undefined) {
    event.preventDefault();
    tabs[(next + tabs.length) % tabs.length].focus();
  }
});

// The shell (app bar, drawer, menus: PortalShell, rendered by the server outside any circuit) is driven from here. Handlers
// are on the document, so they work for markup that a circuit renders too (the organization switcher's menu).
(() => {
  const root = document.documentElement;
  const small = matchMedia("(max-width: 959px)");

  // The system's preference, followed while the user has chosen nothing.
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", (event) => {
    if (!platform.theme.get()) {
      platform.theme.apply(event.matches ? "dark" : "light");
    }
  });

  // The responsive drawer, as MudDrawer draws it: docked and open on wide screens, over the page (with an overlay) on small ones.
  const drawer = () => document.getElementById("portal-drawer");
  const isOpen = (d) => d.classList.contains("mud-drawer--open") && !(small.matches && d.classList.contains("mud-drawer--initial"));
  const setDrawer = (open) => {
    const d = drawer();
    if (!d) {
      return;
    }
    d.classList.remove("mud-drawer--initial");
    d.classList.toggle("mud-drawer--open", open);
    d.classList.toggle("mud-drawer--closed", !open);
    document.getElementById("portal-layout")?.classList.toggle("mud-drawer-open-responsive-md-left", open);
    document.querySelector("[data-shell=drawer-overlay]")?.toggleAttribute("data-open", open && small.matches);
    document.querySelector("[data-shell=drawer]")?.setAttribute("aria-expanded", String(open));
  };
  // Crossing the breakpoint starts over as a fresh page would: open when docked, closed over the page.
  small.addEventListener("change", () => {
    const d = drawer();
    if (d) {
      d.classList.add("mud-drawer--initial", "mud-drawer--open");
      d.classList.remove("mud-drawer--closed");
      document.getElementById("portal-layout")?.classList.add("mud-drawer-open-responsive-md-left");
      document.querySelector("[data-shell=drawer-overlay]")?.removeAttribute("data-open");
    }
  });

  // Menus: [data-menu] holds a [data-menu-button] and a list of [role=menuitem]; open is [data-menu][data-open].
  const items = (menu) => [...menu.querySelectorAll("[role=menuitem]")];
  const buttonOf = (menu) => menu.querySelector("[data-menu-button]");
  const closeMenu = (menu, refocus) => {
    if (!menu.hasAttribute("data-open")) {
      return;
    }
    menu.removeAttribute("data-open");
    buttonOf(menu)?.setAttribute("aria-expanded", "false");
    if (refocus) {
      buttonOf(menu)?.focus();
    }
  };
  const closeAll = (except) => document.querySelectorAll("[data-menu][data-open]").forEach((m) => m !== except && closeMenu(m, false));
  const openMenu = (menu, last) => {
    closeAll(menu);
    menu.setAttribute("data-open", "");
    buttonOf(menu)?.setAttribute("aria-expanded", "true");
    const list = items(menu);
    list[last ? list.length - 1 : 0]?.focus();
  };

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const action = target?.closest("[data-shell]")?.getAttribute("data-shell");
    if (action === "theme") {
      platform.theme.toggle();
      return;
    }
    if (action === "drawer") {
      setDrawer(!isOpen(drawer()));
      return;
    }
    if (action === "drawer-overlay") {
      setDrawer(false);
      return;
    }
    const button = target?.closest("[data-menu-button]");
    const menu = target?.closest("[data-menu]");
    if (button && menu) {
      menu.hasAttribute("data-open") ? closeMenu(menu, false) : openMenu(menu, false);
      return;
    }
    if (menu && target?.closest("[role=menuitem]")) {
      // The item's own action (a link, a form's submit, a circuit's handler) runs; the menu closes.
      closeMenu(menu, false);
      return;
    }
    if (!menu) {
      closeAll(null);
    }
    // A link of the drawer, when it lies over the page, takes the drawer away with it.
    if (small.matches && target?.closest("#portal-drawer a[href]")) {
      setDrawer(false);
    }
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const menu = target?.closest("[data-menu]");
    if (!menu) {
      return;
    }
    const onButton = target.closest("[data-menu-button]");
    if (onButton && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      openMenu(menu, event.key === "ArrowUp");
      return;
    }
    if (!menu.hasAttribute("data-open")) {
      return;
    }
    const list = items(menu);
    const index = list.indexOf(target.closest("[role=menuitem]"));
    if (event.key === "Escape") {
      event.preventDefault();
      closeMenu(menu, true);
    } else if (event.key === "Tab") {
      closeMenu(menu, false);
    } else if (index >= 0 && (event.key === "ArrowDown" || event.key === "ArrowUp" || event.key === "Home" || event.key === "End")) {
      event.preventDefault();
      const next = event.key === "Home" ? 0 : event.key === "End" ? list.length - 1
        : (index + (event.key === "ArrowDown" ? 1 : -1) + list.length) % list.length;
      list[next].focus();
    } else if (index >= 0 && event.key === " " && list[index].tagName === "A") {
      event.preventDefault();
      list[index].click();
    }
  });

  // The drawer's active link follows the address as the circuit navigates (history.pushState) or the user goes back.
  const markActive = () => {
    const path = location.pathname;
    document.querySelectorAll("#portal-drawer a.mud-nav-link[href]").forEach((link) => {
      const href = new URL(link.href, location.href).pathname;
      const active = link.target !== "_blank" && (href === "/" ? path === "/" : path === href || path.startsWith(href + "/"));
      link.classList.toggle("active", active);
      active ? link.setAttribute("aria-current", "page") : link.removeAttribute("aria-current");
    });
  };
  for (const name of ["pushState", "replaceState"]) {
    const original = history[name];
    history[name] = function (...args) {
      const result = original.apply(this, args);
      markActive();
      return result;
    };
  }
  addEventListener("popstate", markActive);
})();
