/**
 * Module-private: the descriptor layout ({@link io.jdax.internal.PageDescriptor}) and the bridges between
 * layers. Not exported; nothing here is API.
 */
package io.jdax.internal;
