package dev.vantage.kernels.advantage;

import dev.vantage.kernels.Tensor;

/**
 * Where episodes end inside a {@code [B, T]} rollout, for GAE and discounted returns. Every
 * tensor is optional (null: no step has the flag, and bootstrap values are 0).
 *
 * <ul>
 *   <li>{@code terminated[b,t]} (BOOL): the episode really ended after step t; nothing is
 *       bootstrapped after it.</li>
 *   <li>{@code truncated[b,t]} (BOOL): the episode was cut after step t (time or length limit);
 *       step t bootstraps from {@code bootstrapValues[b,t]} but the trace does not chain into
 *       step t+1, which starts a new episode.</li>
 *   <li>{@code bootstrapValues[b,t]} (F32): the value of the true next state of step t, read at
 *       truncated steps and at the last valid step of each row (a rollout fragment cut by the
 *       buffer's end). Never the value of an auto-reset observation.</li>
 * </ul>
 * Flags and bootstrap values of masked steps are not read.
 * LLM responses, one episode per row ending at the last valid token with nothing after it, need
 * none of them: {@link #NONE}.
 */
public record Episodes(Tensor terminated, Tensor truncated, Tensor bootstrapValues) {
    /** No flags, bootstrap values 0: each row is one episode ending at its last valid step. */
    public static final Episodes NONE = new Episodes(null, null, null);
}
