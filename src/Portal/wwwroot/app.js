// Small browser helpers the Blazor components call through JS interop.
window.platform = {
  theme: {
    get: () => localStorage.getItem("platform.theme"),
    set: (value) => localStorage.setItem("platform.theme", value),
  },
};
