/*
 * tests/fuzz/replay_main.h - the replay program shared by the fuzz targets
 * when built without libFuzzer: each argument is an input file or a directory
 * of them; each input is copied to an exact-size buffer and passed to
 * LLVMFuzzerTestOneInput, so the sanitizer build catches what the fuzzer found.
 * Include once, after LLVMFuzzerTestOneInput, with FUZZ_REPLAY_NAME defined.
 */
/* Replay: each argument is a file or directory of inputs. */
#include <dirent.h>
#include <sys/stat.h>

static int replay_file(const char *p)
{
	FILE *f = fopen(p, "rb");
	if (!f)
		return 1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	size_t got = fread(buf, 1, n > 0 ? (size_t)n : 0, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, got);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned files = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			replay_file(argv[i]);
			files++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			char p[4096];
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof p, "%s/%s", argv[i], de->d_name);
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
				replay_file(p);
				files++;
			}
		}
		if (d)
			closedir(d);
	}
	printf("fuzz replay %s: %u inputs, no crash\n", FUZZ_REPLAY_NAME, files);
	return 0;
}
