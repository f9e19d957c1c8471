# The two commands of the README, and a few conveniences. CMake does the real build.
.PHONY: run test build bench clean

DB ?= baoho.db
LISTEN ?= 127.0.0.1:8080

# Installs what is missing, builds, and runs the server with demo data.
run: build
	./build/baoho serve --demo --db $(DB) --listen $(LISTEN)

build:
	scripts/install-deps.sh
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j$$(nproc)

# Builds and runs every test: unit, API, under ASan+UBSan, and the fuzzers.
test:
	scripts/test.sh

bench:
	bench/run.sh

clean:
	rm -rf build build-asan build-fuzz
