"""tests/tools/etl_damage.py CORPUS_ETL_DIR OUTDIR - four damaged copies of real
corpus ETL files for tests/e2e/test_etl.sh (offsets from the corpus README's
files, checked by walking their buffers):
  cut.etl  nathaniel-PktMon cut 5000 bytes into its last buffer (offset 79940)
  hdr.etl  nathaniel-PktMon with buffer 3's BufferSize (offset 32760) destroyed
  lz.etl   nathaniel-PktMon with 300 bytes of buffer 4's LZXpress stream
           (offset 60533) overwritten
  rec.etl  tx-KernelNetwork with the size of buffer 2's 6th record set past the
           buffer's data
Prints the damaged record's offset inside buffer 2 of rec.etl."""
import struct, sys
E, out = sys.argv[1], sys.argv[2]
n = open(E + "/nathaniel-PktMon.etl", "rb").read()
# A: cut inside the last buffer (offset 79940)
open(out + "/cut.etl", "wb").write(n[:79940 + 5000])
# B: buffer 3's BufferSize (offset 32760) destroyed
b = bytearray(n); struct.pack_into("<I", b, 32760, 0x7fffffff); open(out + "/hdr.etl", "wb").write(b)
# C: buffer 4's compressed stream (offset 60533) overwritten
c = bytearray(n); c[60533 + 0x48 + 100:60533 + 0x48 + 400] = b"\xaa" * 300; open(out + "/lz.etl", "wb").write(c)
# D: tx-KernelNetwork buffer 2 (offset 8192, uncompressed): the 6th record's size
k = bytearray(open(E + "/tx-KernelNetwork.etl", "rb").read())
o = 8192 + 0x48
for i in range(5):
    ht = k[o + 2]
    so = 4 if ht in (1, 2, 3, 4) else 0
    o += (struct.unpack_from("<H", k, o + so)[0] + 7) & ~7
ht = k[o + 2]
struct.pack_into("<H", k, o + (4 if ht in (1, 2, 3, 4) else 0), 0xfff0)
open(out + "/rec.etl", "wb").write(k)
print(o - 8192)
