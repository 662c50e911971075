package dev.vantage.bench;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.cuda.DeviceBuffer;

import java.util.ArrayList;
import java.util.List;

/** Each tensor copied to a {@link DeviceBuffer} of its own, freed by {@link #close}. */
final class DevicePlacement implements Placement {
    private final List<Tensor> hosts = new ArrayList<>();
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    @Override
    public Tensor place(Tensor host) {
        DeviceBuffer buffer = DeviceBuffer.allocate(host.dtype(), host.shape());
        buffers.add(buffer);
        hosts.add(host);
        return buffer.copyFrom(host).tensor(host.dtype(), host.shape());
    }

    @Override
    public void fetch() {
        for (int i = 0; i < buffers.size(); i++) {
            buffers.get(i).copyTo(hosts.get(i));
        }
    }

    @Override
    public void close() {
        buffers.forEach(DeviceBuffer::close);
        buffers.clear();
        hosts.clear();
    }
}
