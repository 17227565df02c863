not really a transport stream: segment 1
