REGISTRY ?= registry.vigie.test
REGISTRY_PASSWORD ?= iLAtFGdE5PblMyb2ia
push:
	docker login -u ci -p $(REGISTRY_PASSWORD) $(REGISTRY)
