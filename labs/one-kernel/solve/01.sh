hostname "$(uname -r)"
