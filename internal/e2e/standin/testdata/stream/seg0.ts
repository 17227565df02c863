not really a transport stream: segment 0
