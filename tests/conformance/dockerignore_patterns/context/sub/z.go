sub/z.go
