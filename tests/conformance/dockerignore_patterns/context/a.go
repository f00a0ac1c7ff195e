a.go
