// echo.h: the soapcpp2 service definition of the gSOAP peer. A trivial echo operation in a
// WS-ReliableMessaging sequence, protected by WS-Security. Everything protocol-related comes
// from gSOAP's stock import files (Debian: /usr/share/gsoap/import):
//   soap12.h  SOAP 1.2 envelope
//   wsrm.h    WS-RM 1.1/1.2 (200702) headers and operations (via wsrx.h), WS-Addressing 1.0 (wsa5.h)
//   wsse.h    WS-Security 1.0/1.1 header, XML-DSig, wsc:SecurityContextToken (WS-SC 1.3, 200512)
// Build: soapcpp2 -c -a -L -x -I/usr/share/gsoap/import -I/usr/share/gsoap echo.h

#import "soap12.h"
#import "wsrm.h"
#import "wsse.h"

//gsoap ns service name:      echo
//gsoap ns service namespace: urn:rspcheck:gsoap:echo
//gsoap ns schema  namespace: urn:rspcheck:gsoap:echo

//gsoap ns service method-header-part: echo wsa5__MessageID
//gsoap ns service method-header-part: echo wsa5__RelatesTo
//gsoap ns service method-header-part: echo wsa5__From
//gsoap ns service method-header-part: echo wsa5__ReplyTo
//gsoap ns service method-header-part: echo wsa5__FaultTo
//gsoap ns service method-header-part: echo wsa5__To
//gsoap ns service method-header-part: echo wsa5__Action
//gsoap ns service method-header-part: echo wsrm__Sequence
//gsoap ns service method-header-part: echo wsrm__AckRequested
//gsoap ns service method-header-part: echo wsrm__SequenceAcknowledgement
//gsoap ns service method-header-part: echo wsse__Security
//gsoap ns service method-action:        echo urn:rspcheck:gsoap:echo/Echo
//gsoap ns service method-output-action: echo urn:rspcheck:gsoap:echo/EchoResponse
int ns__echo(char *text, struct ns__echoResponse { char *text; } *response);
