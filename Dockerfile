# attnbench for a cluster (deploy/k8s/): Node 20, the lockfile's dependencies (npm ci) with ONNX
# Runtime's CPU provider (bundled in onnxruntime-node; its CUDA download is skipped) and the
# TensorFlow.js wasm and cpu backends. Build from the repository root:
#   docker build -t attnbench:latest .
# The shards write into a mounted volume (--out /results/...); nothing is written into the image.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NO_COLOR=1

# Dependencies first (this layer is rebuilt only when the lockfile changes); the benchmark needs
# no devDependency (tsx, which runs it, is a dependency).
# package.json's allowScripts keeps onnxruntime-node's install script (the CUDA download) from
# running under npm >= 11.16; the image's npm 10 ignores allowScripts, so the script is told to skip.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .

# A plain user; /results is where the Kubernetes recipe mounts its volume.
RUN mkdir -p /results && chown node:node /results
USER node

CMD ["npm", "run", "--silent", "bench", "--", "--engines"]
