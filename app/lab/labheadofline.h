#pragma once

#include "labexperiment.h"

#include <vector>

namespace Pushboard::Lab {

/// The head-of-line model: streams sending packets over a lossy path, delivered once over one
/// ordered byte stream (TCP, as HTTP/2 uses it) and once per stream (QUIC, as HTTP/3 does).
/// A simulation, said as much wherever it is shown: no packet is sent.
///
/// Packets go round-robin over the streams at a steady rate. Each transmission is lost with
/// probability `loss` (the same draws for both protocols); a lost one is sent again `rtoMs`
/// after, and arrives `oneWayMs` after its last transmission. TCP hands a packet to the
/// application only when every earlier packet of the connection has arrived; QUIC when every
/// earlier packet of the same stream has.
struct HeadOfLineModel
{
    int streams = 6;
    int packetsPerStreamPerSecond = 20;
    int oneWayMs = 25;
    int rtoMs = 60; ///< Loss detected and sent again: a round trip plus a little.
    double loss = 0.02;
    double durationS = 30;
    quint32 seed = 9114;

    [[nodiscard]] QJsonObject toJson() const;
};

/// What the model delivered, per protocol.
struct HeadOfLineOutcome
{
    struct Packet
    {
        int stream = 0;
        double sentMs = 0;
        double arrivedMs = 0; ///< Its last transmission's arrival.
        double deliveredMs[2] = {0, 0}; ///< To the application: [0] TCP, [1] QUIC.
        bool lost = false; ///< At least one transmission was lost.
        bool heldByOther[2] = {false, false}; ///< Waited for another stream's lost packet.
    };
    std::vector<Packet> packets;

    [[nodiscard]] static HeadOfLineOutcome simulate(const HeadOfLineModel &model);
};

/// The head-of-line scenario: runs the model for the duration (simulated time, computed at
/// once) and reports each protocol as a lane: delivery latency, and the packets that waited
/// for another stream's loss.
class LabHeadOfLine : public LabExperiment
{
    Q_OBJECT

public:
    explicit LabHeadOfLine(const Scenario &scenario, QObject *parent = nullptr);

    [[nodiscard]] LabResult result() const override;

protected:
    bool begin() override;
    void end() override { }

private:
    HeadOfLineModel m_model;
    HeadOfLineOutcome m_outcome;
};

} // namespace Pushboard::Lab
