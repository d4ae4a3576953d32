module vigil.local/compat/godeveleapv04

go 1.26

require github.com/develeap/hyperping-go v0.4.0

require github.com/sony/gobreaker v1.0.0 // indirect
