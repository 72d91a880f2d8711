/**
 * Writes a small VOC 2012-layout folder (up to 12 images, crops and mirrors of the two shipped VOC pairs) for
 * smoke runs of the real-benchmark configs.
 * Usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/make-voc-smoke-folder.ts OUT [TRAIN] [VAL]
 */
import { writeVocSmokeFolder } from '@zls/data';

async function main(): Promise<void> {
  const [out, train, val] = process.argv.slice(2);
  if (!out) throw new Error('usage: make-voc-smoke-folder.ts OUT [TRAIN=8] [VAL=4]');
  const folder = await writeVocSmokeFolder(out, { train: train ? Number(train) : undefined, val: val ? Number(val) : undefined });
  console.log(`wrote ${folder.trainIds.length} train_aug + ${folder.valIds.length} val images under ${folder.root}`);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
