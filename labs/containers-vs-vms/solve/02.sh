sed -n 's/.*"bootId":"\([^"]*\)".*/\1/p' /run/isoplay-vm/vm-*.json | head -n 1 > /root/vm-boot-id
