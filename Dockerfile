# syntax=docker/dockerfile:1
# The playground as an image: a build stage on the full Node 24 LTS image (the web UI, the native
# sandbox helper, the lab images and the VM lab's kernel + initramfs, node_modules with
# better-sqlite3 compiled for Node 24), then a slim Node 24 runtime with only the packages the
# sandbox shows learners (its /usr is the image's, read-only). The entry point runs `isoplay doctor`
# and refuses to start, saying what is missing, on a host or container that lacks something.
#
#   docker build -t isoplay .
#   docker run --rm --privileged --cgroupns=host -p 8080:8080 isoplay
#
# Why privileged (README, "Docker"): every sandbox creates user, pid, mount, net, uts, ipc and
# cgroup namespaces, mounts a fresh proc and sysfs (the kernel refuses that under Docker's masked
# /proc paths), and makes a cgroup per learner (a writable cgroupfs). The narrower set that suffices:
#   --cap-add=SYS_ADMIN --cap-add=NET_ADMIN --cap-add=SYS_PTRACE --cap-add=SYS_RESOURCE
#   --security-opt apparmor=unconfined --security-opt seccomp=unconfined --security-opt systempaths=unconfined
#   --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw --device /dev/net/tun --device /dev/kvm (VM lab, optional)
# Learners stay unprivileged inside their own sandboxes either way.

FROM node:24-bookworm AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
COPY scripts/apt-packages.sh scripts/apt-packages.sh
# The compilers and tools the build needs (RUNTIME_PACKAGES has them all: libseccomp-dev, cpio,
# qemu for the VM image's checks, busybox-static for the images).
RUN . scripts/apt-packages.sh \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${RUNTIME_PACKAGES[@]}" \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN bash scripts/build-native.sh \
 && npx vite build --logLevel warn \
 && apt-get update -qq \
 && bash scripts/build-vm.sh \
 && bash scripts/build-images.sh \
 && rm -rf /var/lib/apt/lists/* build/images/cache \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /opt/isoplay
COPY scripts/apt-packages.sh /tmp/apt-packages.sh
RUN . /tmp/apt-packages.sh \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${IMAGE_RUNTIME_PACKAGES[@]}" \
 && rm -rf /var/lib/apt/lists/* /tmp/apt-packages.sh
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/build ./build
COPY --from=build /src/dist ./dist
COPY --from=build /src/server ./server
COPY --from=build /src/labs ./labs
COPY --from=build /src/bin ./bin
COPY --from=build /src/deploy ./deploy
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 ISOPLAY_DATA_DIR=/var/lib/isoplay
VOLUME ["/var/lib/isoplay"]
EXPOSE 8080
# Root in the container: the server creates namespaces and cgroups (learners are other uids, each
# in its own user namespace).
USER root
HEALTHCHECK --interval=30s --timeout=5s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/opt/isoplay/deploy/docker-entrypoint.sh"]
CMD []
