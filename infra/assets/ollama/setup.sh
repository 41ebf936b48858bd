# Ollama on the GPU instance: the body of the instance's user data. The stack puts these variables first:
#   OLLAMA_VERSION  the pinned release (0.12.6)        OLLAMA_PORT  the API's port (11434)
#   OLLAMA_CONTEXT  OLLAMA_CONTEXT_LENGTH, or empty    OLLAMA_PULL  the models to pull, space-separated
# Safe to run again (same result): the binary is installed only when the pinned version is missing, the override is
# rewritten, and `ollama pull` of a model already present only checks its digest. No secret is read or written.
set -euo pipefail
exec > >(tee -a /var/log/ollama-setup.log) 2>&1
echo "ollama-setup: start $(date -Is), version ${OLLAMA_VERSION}"

installed="$(ollama --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+[^ ]*' | tail -n 1 || true)"
if [ "${installed}" != "${OLLAMA_VERSION}" ]; then
  # The release's own install.sh, which downloads that release's binary (OLLAMA_VERSION pins it); it creates the
  # ollama user and the systemd unit, and finds the NVIDIA driver the AMI ships.
  script="$(mktemp)"
  curl -fsSL --retry 5 --retry-delay 5 -o "${script}" \
    "https://github.com/ollama/ollama/releases/download/v${OLLAMA_VERSION}/install.sh" \
    || curl -fsSL --retry 5 --retry-delay 5 -o "${script}" "https://ollama.com/install.sh"
  OLLAMA_VERSION="${OLLAMA_VERSION}" sh "${script}"
  rm -f "${script}"
fi

# Listen on every interface (the security group admits only the clients' group) and apply the context window.
mkdir -p /etc/systemd/system/ollama.service.d
{
  echo "[Service]"
  echo "Environment=\"OLLAMA_HOST=0.0.0.0:${OLLAMA_PORT}\""
  if [ -n "${OLLAMA_CONTEXT}" ]; then echo "Environment=\"OLLAMA_CONTEXT_LENGTH=${OLLAMA_CONTEXT}\""; fi
} > /etc/systemd/system/ollama.service.d/override.conf
systemctl daemon-reload
systemctl enable ollama
systemctl restart ollama

export OLLAMA_HOST="127.0.0.1:${OLLAMA_PORT}"
for _ in $(seq 1 60); do
  if curl -fsS "http://${OLLAMA_HOST}/api/version" > /dev/null; then break; fi
  sleep 2
done
curl -fsS "http://${OLLAMA_HOST}/api/version"
echo

for model in ${OLLAMA_PULL}; do
  for attempt in 1 2 3; do
    if ollama pull "${model}"; then break; fi
    if [ "${attempt}" = 3 ]; then echo "ollama-setup: pulling ${model} failed" >&2; exit 1; fi
    sleep 10
  done
done
echo "ollama-setup: done $(date -Is)"
