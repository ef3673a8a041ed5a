resource "google_compute_backend_service" "web" {
  name                  = "${local.name}-web"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"
}
