module example.com/e

go 1.22

require github.com/google/uuid
