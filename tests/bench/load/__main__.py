from tests.bench.load import main

main()
