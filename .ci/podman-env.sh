# Sourced: where the Docker-compatible API socket lives, for every podman call and the tests.
export CALIPSO_CI_DIR="${CI_DIR:-/tmp/calipso-ci}"
export CONTAINERS_CONF="$CALIPSO_CI_DIR/containers.conf"
export CALIPSO_DOCKER_SOCKET="$CALIPSO_CI_DIR/podman.sock"
