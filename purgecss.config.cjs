// Bootstrap trimmed to the selectors the site's pages use: `make css` writes
// static/vendor/bootstrap-5.3.9/bootstrap.site.min.css, which the pages link and
// the repository keeps (events/tests/test_trimmed_css.py checks it is current).
module.exports = {
  css: ["static/vendor/bootstrap-5.3.9/bootstrap.min.css"],
  // Templates, scripts, and the Python code that sets classes (the form widgets').
  content: ["templates/**/*.html", "static/js/*.js", "events/**/*.py", "encontros/**/*.py"],
  skippedContentGlobs: ["events/tests/**", "encontros/tests/**"],
  safelist: {
    // Messages take their alert colour from their level (templates/includes/_messages.html).
    standard: [/^alert-(success|info|warning|danger)$/],
    // The colour modes are switched by static/js/theme.js through the dataset API.
    greedy: [/data-bs-theme/],
  },
};
