python3 -c 'import re; a = int(re.search(r"MemAvailable:\s+(\d+)", open("/proc/meminfo").read())[1]) * 1024; b = bytearray(a // 2)' || true
