"""This package's own reader of the HDF5 subset NIR files use (libhdf5 handles the rest).

Why: libhdf5 trusts a file's metadata inside single C calls (a damaged global heap makes it
loop forever or allocate gigabytes, HDFGroup/hdf5#1707), and h5py's per-object overhead
dominates a graph of thousands of small datasets. Every offset and size read here is checked
against the file before use; anything valid but outside the subset raises `Unsupported`.
"""
