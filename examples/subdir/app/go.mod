module example.com/subdir

go 1.22
