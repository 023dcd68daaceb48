# Reads the kernel's hostname of the sandbox's own UTS namespace (this check runs there).
h=$(hostname)
if [ "$h" = "sandbox" ]; then
  echo "The hostname is still \"sandbox\". Change it with: hostname my-box"
  exit 1
fi
echo "Your sandbox is now called \"$h\", and the host kept its own name."
