# Runs the playground server in a privileged container on any Linux host with a Docker engine:
#   docker build -t isoplay .
#   docker run --rm --privileged --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw -p 8080:8080 isoplay
# The container must be privileged (it creates user, pid, mount, net and cgroup namespaces and
# cgroups for every learner); learners stay unprivileged inside their own sandboxes.
FROM node:20-bookworm
SHELL ["/bin/bash", "-c"]
WORKDIR /opt/isoplay
COPY scripts/apt-packages.sh scripts/apt-packages.sh
RUN . scripts/apt-packages.sh && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${RUNTIME_PACKAGES[@]}" \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN bash scripts/build-native.sh && npx vite build --logLevel warn \
 && apt-get update -qq && bash scripts/build-vm.sh && rm -rf /var/lib/apt/lists/*
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
CMD ["node_modules/.bin/tsx", "server/main.ts"]
