module vigil.local/compat/godeveleap

go 1.26

require github.com/develeap/hyperping-go v0.7.1

require github.com/sony/gobreaker v1.0.0 // indirect
