// Bootstrap's dark colour mode when the system prefers it. Loaded in <head>, before the
// first paint, so pages never flash light; a file, not inline code, for the CSP.
const darkScheme = window.matchMedia("(prefers-color-scheme: dark)");
const applyColourScheme = () => {
  document.documentElement.dataset.bsTheme = darkScheme.matches ? "dark" : "light";
};
applyColourScheme();
darkScheme.addEventListener("change", applyColourScheme);
