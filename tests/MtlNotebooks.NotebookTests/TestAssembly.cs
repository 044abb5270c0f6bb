// Notebook runs redirect the console and change the current directory (process-wide), and share libtorch's RNG and
// thread pool: run every test of this assembly one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
