package chi
