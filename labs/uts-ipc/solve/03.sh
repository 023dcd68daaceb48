ipcmk -Q >/dev/null
