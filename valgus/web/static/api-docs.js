// Starts Swagger UI on /docs (valgus.web.api_docs): a file, not an inline script, so the
// page keeps the app's content security policy.
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
  });
});
