// Small browser helpers the Blazor components call through JS interop.
window.platform = {
  theme: {
    get: () => localStorage.getItem("platform.theme"),
    set: (value) => localStorage.setItem("platform.theme", value),
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
  // Submits a form of the page as its own submit button would (e.g. the sign-out form, from a menu item).
  submitForm: (id) => document.getElementById(id)?.requestSubmit(),
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

// MudTabs activate the focused tab on Space only; the WAI-ARIA tabs pattern has Enter do it too.
document.addEventListener("keydown", (event) => {
  const tab = event.target;
  if (event.key === "Enter" && tab instanceof HTMLElement && tab.matches(".mud-tab[role=tab]")) {
    event.preventDefault();
    tab.click();
  }
});
