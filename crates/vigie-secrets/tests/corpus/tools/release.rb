Gem::Specification.load("orders.gemspec")
ENV["GEM_HOST_API_KEY"] = "rubygems_cc6bc55b8e7ad42a5c18f7f0e87dbe8226e9e817def62990"
system("gem", "push", "orders-1.4.0.gem")
