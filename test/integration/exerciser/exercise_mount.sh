#!/bin/bash
# The integrity exerciser on a real stria mount: fixed seeds, four files per
# seed with stripe counts 1, 2, 4 and -1 over 64 KiB and 1 MiB stripes, every
# byte read checked against the model.  EXERCISE_OPS (default 100000 per
# seed) and EXERCISE_SEEDS (default "1") change the run; any failing seed
# is reproducible with the command it prints.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
fx_cluster 4
fx_mount m1
fx_wait_osts "$FX_DIR/m1" 4 || fx_fail "the OSTs did not come up"
for seed in ${EXERCISE_SEEDS:-1}; do
	"$STRIA_BUILD/test/integration/exerciser/stria-exercise" -s "$seed" \
		-n "${EXERCISE_OPS:-100000}" -f 4 -m $((8 << 20)) -L "$FX_DIR/m1" ||
		fx_fail "exerciser seed $seed"
done
fx_umount m1
fx_pass
