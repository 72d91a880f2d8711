import type { Registries } from '@zls/core';
import { ArgmaxLabeler, ArgmaxLabelerOptions } from './labelers/argmax-labeler';
import { ConsistencyLabeler, ConsistencyLabelerOptions } from './labelers/consistency-labeler';
import { NoLabeler, NoLabelerOptions } from './labelers/no-labeler';
import { TopPLabeler, TopPLabelerOptions } from './labelers/top-p-labeler';

export function registerPseudoLabelComponents(registries: Registries): void {
  registries.pseudoLabeler
    .register('none', NoLabeler, NoLabelerOptions, 'SPNet: no pseudo-labels')
    .register('argmax', ArgmaxLabeler, ArgmaxLabelerOptions, "SPNet+ST: the generator's argmax over unseen classes on every candidate")
    .register('top-p', TopPLabeler, TopPLabelerOptions, 'ZS5Net: the most confident fraction per unseen class')
    .register('consistency', ConsistencyLabeler, ConsistencyLabelerOptions, 'STRICT: keep labels on which all views agree');
}
