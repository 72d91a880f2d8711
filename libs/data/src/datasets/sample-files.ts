/** Where one sample's image and label map live on disk. */
export interface SampleFiles {
  readonly id: string;
  readonly image: string;
  readonly label: string;
}

/** A sample that could not be read, as `skipBad` reports it. */
export interface BadSample {
  readonly id: string;
  readonly file: string;
  readonly problem: string;
}
