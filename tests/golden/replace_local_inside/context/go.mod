module example.com/app

go 1.22

require example.com/lib v0.0.0

require github.com/google/uuid v1.3.0 // indirect

replace example.com/lib => ./lib
