// Starts Redoc on the API documentation page (templates/drf_spectacular/redoc.html).
const container = document.getElementById("redoc-container");
Redoc.init(container.dataset.specUrl, JSON.parse(container.dataset.settings), container);
